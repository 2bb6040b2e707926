"""Batch augmentation in torch, aimed at real phone photos rather than only dermoscopy crops.

Everything happens on whole batches (one ``grid_sample`` for all geometry), so augmentation costs
little next to the network on a 2-core CPU. Each sample draws its own parameters from ``generator``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch.nn import functional as F


@dataclass(frozen=True)
class AugmentConfig:
    min_crop: float = 0.65
    """Smallest side of the random crop, as a fraction of the photo (scale / zoom)."""
    max_aspect: float = 1.15
    brightness: float = 0.25
    contrast: float = 0.25
    saturation: float = 0.3
    white_balance: float = 0.08
    """Per-channel gain jitter: phone cameras disagree about skin colour."""
    blur_p: float = 0.2
    noise_p: float = 0.2
    noise_std: float = 0.03
    cutout_p: float = 0.0
    """Share of photos with one square blanked out (to the photo's mean colour): the network cannot
    lean on any single patch (a ruler, a vignette, one part of the lesion)."""
    cutout_size: float = 0.3
    """The square's side, as a fraction of the photo."""


def _uniform(n: int, low: float, high: float, generator: torch.Generator, device: torch.device) -> torch.Tensor:
    return torch.rand(n, generator=generator, device=device) * (high - low) + low


def augment_batch(images: torch.Tensor, size: int, config: AugmentConfig, generator: torch.Generator) -> torch.Tensor:
    """uint8 NHWC -> augmented float NCHW in [0, 1] at ``size`` x ``size``."""
    x = images.permute(0, 3, 1, 2).float().div_(255.0)
    n, device = x.shape[0], x.device

    # Geometry: random crop (zoom), any rotation, mirror, mild aspect change, shift inside the photo.
    crop = _uniform(n, config.min_crop, 1.0, generator, device)
    log_aspect = _uniform(n, -math.log(config.max_aspect), math.log(config.max_aspect), generator, device)
    angle = _uniform(n, 0.0, 2 * math.pi, generator, device)
    mirror = torch.where(torch.rand(n, generator=generator, device=device) < 0.5, -1.0, 1.0).to(device)
    sx = crop * torch.exp(log_aspect / 2) * mirror
    sy = crop * torch.exp(-log_aspect / 2)
    room = (1.0 - crop).clamp(min=0.0)
    tx = _uniform(n, -1.0, 1.0, generator, device) * room
    ty = _uniform(n, -1.0, 1.0, generator, device) * room
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.stack([torch.stack([sx * cos, -sy * sin, tx], 1), torch.stack([sx * sin, sy * cos, ty], 1)], 1)
    if size < x.shape[-1]:
        # shrink first (antialiased) so the resampling below does not alias
        x = F.interpolate(x, size=(size, size), mode="bilinear", antialias=True, align_corners=False)
    grid = F.affine_grid(theta, [n, 3, size, size], align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)

    # Colour: brightness, contrast, saturation, white balance.
    def per_sample(spread: float) -> torch.Tensor:
        return _uniform(n, 1 - spread, 1 + spread, generator, device).view(n, 1, 1, 1)

    x = x * per_sample(config.brightness)
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    x = (x - mean) * per_sample(config.contrast) + mean
    gray = 0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3]
    x = (x - gray) * per_sample(config.saturation) + gray
    gains = _uniform(n * 3, 1 - config.white_balance, 1 + config.white_balance, generator, device)
    x = x * gains.view(n, 3, 1, 1)

    # Focus blur on some photos, sensor noise on others.
    blur = torch.rand(n, generator=generator, device=device) < config.blur_p
    if bool(blur.any()):
        sigma = float(_uniform(1, 0.6, 1.6, generator, device))
        radius = 2
        taps = torch.arange(-radius, radius + 1, device=device, dtype=x.dtype)
        kernel = torch.exp(-(taps**2) / (2 * sigma**2))
        kernel = kernel / kernel.sum()
        k2 = (kernel[:, None] * kernel[None, :]).expand(3, 1, -1, -1).contiguous()
        blurred = F.conv2d(F.pad(x[blur], (radius,) * 4, mode="reflect"), k2, groups=3)
        x = x.clone()
        x[blur] = blurred
    noisy = (torch.rand(n, generator=generator, device=device) < config.noise_p).view(n, 1, 1, 1)
    noise = torch.randn(x.shape, generator=generator, device=device) * config.noise_std
    x = x + noise * noisy
    if config.cutout_p > 0:
        x = _cutout(x, config, generator)
    return x.clamp_(0.0, 1.0)


def _cutout(x: torch.Tensor, config: AugmentConfig, generator: torch.Generator) -> torch.Tensor:
    """Blank one random square (centre anywhere, clipped at the border) in a share of the photos."""
    n, _, h, w = x.shape
    device = x.device
    chosen = torch.rand(n, generator=generator, device=device) < config.cutout_p
    half = config.cutout_size / 2
    cy = torch.rand(n, generator=generator, device=device).view(n, 1, 1)
    cx = torch.rand(n, generator=generator, device=device).view(n, 1, 1)
    ys = (torch.arange(h, device=device, dtype=x.dtype) + 0.5).div_(h).view(1, h, 1)
    xs = (torch.arange(w, device=device, dtype=x.dtype) + 0.5).div_(w).view(1, 1, w)
    square = ((ys - cy).abs() < half) & ((xs - cx).abs() < half) & chosen.view(n, 1, 1)
    mean = x.mean(dim=(2, 3), keepdim=True)
    return torch.where(square.unsqueeze(1), mean, x)


def normalise(x01: torch.Tensor) -> torch.Tensor:
    """[0, 1] -> [-1, 1], the EfficientNet-Lite input normalisation."""
    return (x01 - 0.5) / 0.5
