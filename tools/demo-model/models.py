"""Network definitions shared by training, export and evaluation."""
import torch
import torch.nn as nn
import torch.nn.functional as F

Z_DIM = 128


def up_block(cin, cout):
    return nn.Sequential(
        nn.Upsample(scale_factor=2, mode="nearest"),
        nn.Conv2d(cin, cout, 3, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class Reshape(nn.Module):
    def __init__(self, *shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.reshape(x.shape[0], *self.shape)


class Generator(nn.Module):
    """DCGAN-style generator: z [N,128] ~ N(0,I) -> image [N,3,64,64] in [-1,1].

    layer1: Linear -> 4x4; layer2..layer5: nearest-upsample x2 + conv3x3 + BN + ReLU
    (8, 16, 32, 64 px); layer6: conv3x3 -> RGB + tanh.
    """

    def __init__(self, widths=(192, 128, 96, 48, 24)):
        super().__init__()
        w = widths
        self.w0 = w[0]
        self.layer1 = nn.Sequential(
            nn.Linear(Z_DIM, w[0] * 16, bias=False),
            Reshape(w[0], 4, 4),
            nn.BatchNorm2d(w[0]),
            nn.ReLU(inplace=True),
        )
        self.layer2 = up_block(w[0], w[1])  # 8x8
        self.layer3 = up_block(w[1], w[2])  # 16x16
        self.layer4 = up_block(w[2], w[3])  # 32x32
        self.layer5 = up_block(w[3], w[4])  # 64x64
        self.layer6 = nn.Sequential(nn.Conv2d(w[4], 3, 3, padding=1), nn.Tanh())

    def forward(self, z):
        x = self.layer1(z)
        x = self.layer2(x)
        x = self.layer3(x)
        x = self.layer4(x)
        x = self.layer5(x)
        return self.layer6(x)


class Discriminator(nn.Module):
    def __init__(self, widths=(32, 64, 128, 256)):
        super().__init__()
        sn = nn.utils.spectral_norm
        w = widths
        self.net = nn.Sequential(
            sn(nn.Conv2d(3, w[0], 4, 2, 1)), nn.LeakyReLU(0.2, True),      # 32
            sn(nn.Conv2d(w[0], w[1], 4, 2, 1)), nn.LeakyReLU(0.2, True),   # 16
            sn(nn.Conv2d(w[1], w[1], 3, 1, 1)), nn.LeakyReLU(0.2, True),
            sn(nn.Conv2d(w[1], w[2], 4, 2, 1)), nn.LeakyReLU(0.2, True),   # 8
            sn(nn.Conv2d(w[2], w[3], 4, 2, 1)), nn.LeakyReLU(0.2, True),   # 4
        )
        self.fc = sn(nn.Linear(w[3] * 16, 1))

    def forward(self, x):
        return self.fc(self.net(x).flatten(1)).squeeze(1)


def conv_bn(cin, cout, stride=1, dil=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride, padding=dil, dilation=dil, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class Segmenter(nn.Module):
    """Small U-Net-ish FCN: image [N,3,64,64] in [-1,1] -> logits [N,C,64,64]."""

    def __init__(self, num_classes=13, w=(24, 48, 64, 96), feat=40):
        super().__init__()
        self.enc1 = conv_bn(3, w[0])                                          # 64
        self.enc2 = nn.Sequential(conv_bn(w[0], w[1], 2), conv_bn(w[1], w[1]))  # 32
        self.enc3 = nn.Sequential(conv_bn(w[1], w[2], 2), conv_bn(w[2], w[2]))  # 16
        self.enc4 = nn.Sequential(conv_bn(w[2], w[3], 2), conv_bn(w[3], w[3], dil=2))  # 8
        self.dec3 = conv_bn(w[3] + w[2], w[2])                                # 16
        self.dec2 = conv_bn(w[2] + w[1], w[1])                                # 32
        self.dec1 = conv_bn(w[1] + w[0], feat)                                # 64 (penultimate)
        self.head = nn.Conv2d(feat, num_classes, 1)

    def features(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(e1)
        e3 = self.enc3(e2)
        e4 = self.enc4(e3)
        up = lambda t: F.interpolate(t, scale_factor=2.0, mode="nearest")
        d3 = self.dec3(torch.cat([up(e4), e3], 1))
        d2 = self.dec2(torch.cat([up(d3), e2], 1))
        return self.dec1(torch.cat([up(d2), e1], 1))

    def forward(self, x):
        return self.head(self.features(x))


def n_params(m):
    return sum(p.numel() for p in m.parameters())
