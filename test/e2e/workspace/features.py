"""An unrelated feature extractor with the generator's attribute names: no CodeLens or hover here."""
import torch.nn as nn
from torchvision.models import resnet18


class Features(nn.Module):
    def __init__(self):
        super().__init__()
        r = resnet18()
        self.layer3 = r.layer3
        self.layer4 = r.layer4

    def forward(self, x):
        return self.layer4(self.layer3(x))
