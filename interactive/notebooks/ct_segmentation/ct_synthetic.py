"""Synthetic CT-like slices with lesion masks, packed like the paper's COVID-19 data set.

The published use-case trained a U-Net on CT scans of COVID-19 lungs delivered as ONE composite HDF5
file: train, validation and test image and mask matrices. That data cannot ship with this
repository, so this module draws slices that pose the same task at a size a CPU trains in seconds:

- a body-like ellipse of soft tissue with two dark lungs inside, a bright spine below them;
- vessels: small bright dots inside the lungs, NOT lesions (they make precision a real test);
- lesions: 0-3 irregular blobs of ground-glass brightness (between lung and tissue) inside the lungs (their mask is 1);
- Gaussian noise, then 8-bit quantisation as a windowed CT slice has.

Every slice comes from a seeded generator, and the file is written without timestamps, so the same
seed gives the same bytes. Layout (what ``pack_images_to_h5.py`` writes for users' own data too)::

    /train/images       (n, 64, 64, 1) float32 in [0, 1]     /train/masks       (n, 64, 64, 1) uint8 {0, 1}
    /validation/images  ...                                 /validation/masks  ...
    /test/images        ...                                 /test/masks        ...

Usage: ``python ct_synthetic.py [OUTPUT.h5] [--seed N]`` or ``write_composite_h5(path)`` from a notebook.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import h5py
import numpy as np

SIZE = 64
SPLITS = {"train": 200, "validation": 40, "test": 60}
DEFAULT_SEED = 2023
TISSUE, LUNG, SPINE, VESSEL = 0.55, 0.15, 0.95, 0.70
LESION_RANGE = (0.33, 0.45)  # ground glass: between air-filled lung and soft tissue
NOISE_SIGMA = 0.05
NO_LESION_FRACTION = 0.2


def _grid() -> tuple[np.ndarray, np.ndarray]:
    """Pixel centres in [-1, 1] (x to the right, y downwards)."""
    axis = (np.arange(SIZE) + 0.5) / SIZE * 2.0 - 1.0
    return np.meshgrid(axis, axis)  # x, y


def _ellipse(x: np.ndarray, y: np.ndarray, cx: float, cy: float, ax: float, ay: float) -> np.ndarray:
    return ((x - cx) / ax) ** 2 + ((y - cy) / ay) ** 2 <= 1.0


def _blob(x: np.ndarray, y: np.ndarray, cx: float, cy: float, radius: float, rng: np.random.Generator) -> np.ndarray:
    """An irregular blob: a circle whose radius wobbles with the angle (three random harmonics)."""
    angle = np.arctan2(y - cy, x - cx)
    wobble = sum(rng.uniform(0.05, 0.25) * np.cos(k * angle + rng.uniform(0, 2 * np.pi)) for k in (2, 3, 5))
    return np.hypot(x - cx, y - cy) <= radius * (1.0 + wobble)


def ct_slice(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One (image, mask) pair: image float32 (64, 64) in [0, 1], mask uint8 (64, 64) in {0, 1}."""
    x, y = _grid()
    cx, cy = rng.normal(0, 0.03, size=2)
    body = _ellipse(x, y, cx, cy, rng.uniform(0.80, 0.92), rng.uniform(0.60, 0.72))
    lung_ax, lung_ay = rng.uniform(0.24, 0.30), rng.uniform(0.36, 0.46)
    lungs = [_ellipse(x, y, cx + side * rng.uniform(0.34, 0.42), cy - 0.05, lung_ax, lung_ay) for side in (-1, 1)]
    lung = lungs[0] | lungs[1]

    image = np.zeros((SIZE, SIZE))
    image[body] = TISSUE
    image[lung] = LUNG
    image[_ellipse(x, y, cx, cy + 0.48, 0.09, 0.07)] = SPINE
    for _ in range(rng.integers(3, 9)):  # vessels: small bright dots in the lungs, not lesions
        px, py = rng.integers(0, SIZE, size=2)
        if lung[py, px]:
            image[_ellipse(x, y, x[py, px], y[py, px], 0.05, 0.05) & lung] = VESSEL

    mask = np.zeros((SIZE, SIZE), dtype=bool)
    n_lesions = 0 if rng.random() < NO_LESION_FRACTION else int(rng.integers(1, 4))
    for _ in range(n_lesions):
        inside = lungs[int(rng.integers(0, 2))]
        rows, cols = np.nonzero(inside)
        pick = int(rng.integers(0, rows.size))
        lesion = _blob(x, y, x[rows[pick], cols[pick]], y[rows[pick], cols[pick]], rng.uniform(0.08, 0.20), rng) & inside
        image[lesion] = rng.uniform(*LESION_RANGE)
        mask |= lesion

    image = image + rng.normal(0.0, NOISE_SIGMA, size=image.shape)
    image = np.round(np.clip(image, 0.0, 1.0) * 255) / 255  # 8-bit, as a windowed CT slice
    return image.astype(np.float32), mask.astype(np.uint8)


def make_split(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` slices as (images, masks), each shaped (n, 64, 64, 1) for a Keras channel-last model."""
    pairs = [ct_slice(rng) for _ in range(n)]
    images = np.stack([image for image, _ in pairs])[..., np.newaxis]
    masks = np.stack([mask for _, mask in pairs])[..., np.newaxis]
    return images, masks


def _untimed_group(h5: h5py.File, name: str) -> str:
    """Create group ``name`` without a modification time (h5py's create_group always stores one)."""
    creation = h5py.h5p.create(h5py.h5p.GROUP_CREATE)
    creation.set_obj_track_times(False)
    h5py.h5g.create(h5.id, name.encode(), gcpl=creation)
    return name


def write_composite_h5(path: str | Path, seed: int = DEFAULT_SEED, splits: dict[str, int] | None = None) -> Path:
    """Write the composite file (train/validation/test images and masks); returns its path.

    Datasets are chunked by 16 slices (a training batch reads whole chunks) and compressed with
    shuffle + gzip; no timestamps are stored, so the bytes depend only on ``seed`` and ``splits``.
    """
    path = Path(path)
    rng = np.random.default_rng(seed)
    creation = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    creation.set_obj_track_times(False)
    file_id = h5py.h5f.create(str(path).encode(), h5py.h5f.ACC_TRUNC, fcpl=creation)
    with h5py.File(file_id) as h5:
        h5.attrs["description"] = "synthetic CT-like slices with lesion masks (interactive/notebooks/ct_segmentation/ct_synthetic.py)"
        h5.attrs["seed"] = seed
        for split, n in (splits or SPLITS).items():
            images, masks = make_split(n, rng)
            group = h5[_untimed_group(h5, split)]
            for name, array in (("images", images), ("masks", masks)):
                group.create_dataset(name, data=array, chunks=(min(16, n), SIZE, SIZE, 1), shuffle=True,
                                     compression="gzip", compression_opts=4, track_times=False)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default="ct_scans.h5", help="the composite HDF5 file to write")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    path = write_composite_h5(args.output, args.seed)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB): " + ", ".join(f"{split} {n}" for split, n in SPLITS.items()))


if __name__ == "__main__":
    main()
