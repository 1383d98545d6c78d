/**
 * File names derived from layer names (which may hold '/' and other characters). Never '.', '..' or a
 * name starting with a dot, so a module named ".." cannot write outside its folder.
 */
export function safeName(layer: string): string {
  return layer.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[_.]+|_+$/g, '') || 'layer';
}
