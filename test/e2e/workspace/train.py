"""Fixture for the end-to-end tests of GAN Dissection for VS Code (hover, CodeLens, Go to Source).

A small DCGAN-style generator whose blocks are named layer1 ... layer5, as in the models that
GAN Dissection (Bau et al., ICLR 2019) dissects. It is never run by the tests: only read.
Line numbers matter to the tests; append new code at the end of the file.
"""
import torch
import torch.nn as nn


class Generator(nn.Module):
    def __init__(self, z_dim=128, width=64):
        super().__init__()
        self.layer1 = nn.Sequential(
            nn.ConvTranspose2d(z_dim, width * 8, kernel_size=4, stride=1, padding=0),
            nn.BatchNorm2d(width * 8),
            nn.ReLU(inplace=True),
        )
        self.layer2 = nn.Sequential(
            nn.ConvTranspose2d(width * 8, width * 4, kernel_size=4, stride=2, padding=1),
            nn.BatchNorm2d(width * 4),
            nn.ReLU(inplace=True),
        )
        self.layer3 = nn.Sequential(
            nn.ConvTranspose2d(width * 4, width * 2, kernel_size=4, stride=2, padding=1),
            nn.BatchNorm2d(width * 2),
            nn.ReLU(inplace=True),
        )
        self.layer4 = nn.Sequential(
            nn.ConvTranspose2d(width * 2, width, kernel_size=4, stride=2, padding=1),
            nn.BatchNorm2d(width),
            nn.ReLU(inplace=True),
        )
        self.layer5 = nn.Sequential(
            nn.ConvTranspose2d(width, 3, kernel_size=4, stride=2, padding=1),
            nn.Tanh(),
        )

    def forward(self, z):
        x = z.view(z.size(0), -1, 1, 1)
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        x = self.layer4(x)
        x = self.layer5(x)
        return x


def train(steps=10, batch_size=16, z_dim=128):
    generator = Generator(z_dim=z_dim)
    optimizer = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    for step in range(steps):
        z = torch.randn(batch_size, z_dim)
        images = generator(z)
        loss = images.pow(2).mean()  # placeholder objective: the fixture only needs the structure
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    torch.onnx.export(generator, torch.randn(1, z_dim), "generator.onnx", input_names=["z"], output_names=["image"])
    return generator


if __name__ == "__main__":
    train()


NOTE = "self.layer3 is the third block"  # and self.layer3 in a comment: no hover in either
