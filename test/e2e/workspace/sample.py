"""Uses the generator of train.py: hovers here name its layers."""
from train import Generator

G = Generator()
print(G.layer3)
