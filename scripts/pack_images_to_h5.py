#!/usr/bin/env python3
"""Pack a folder of images and a folder of masks into one composite HDF5 file for segmentation.

The file has the layout of the CT-scan use-case (interactive/notebooks/ct_segmentation/), so its
notebooks train on your data by changing one file name::

    /train/images       (n, H, W, 1) float32      /train/masks       (n, H, W, 1) uint8 (0 or 1)
    /validation/...                               /test/...
    /<split>/names      (n,) str: the source of each slice, e.g. "case01.nii.gz[17]"

Images and masks are paired by file name: ``scan7.png`` in IMAGES pairs with ``scan7.png`` or
``scan7.tif`` (or, with ``--mask-suffix _mask``, ``scan7_mask.png``) in MASKS. PNG and TIFF files are
one slice each (read with Pillow; colour images are converted to grey). A NIfTI volume (.nii,
.nii.gz, read with nibabel) gives one slice per index of its last axis; its mask volume must have
the same shape. The split into train/validation/test is by FILE, with a seed, so the slices of one
volume (one patient) never end up on both sides of a split.

Intensities become float32: integer images are divided by their type's maximum (8-bit by 255,
16-bit by 65535) unless ``--window LOW HIGH`` clips and scales them to [0, 1] (CT in Hounsfield
units: ``--window -1000 400``); float images are kept as they are. Masks become 1 where > 0.

    python scripts/pack_images_to_h5.py images/ masks/ -o my_scans.h5 --size 64 64 --split 0.7 0.15 0.15

Errors (an unpaired file, shapes that differ, an unreadable file) end in one line on stderr, exit 2.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

SPLITS = ("train", "validation", "test")
SLICE_SUFFIXES = (".png", ".tif", ".tiff")
VOLUME_SUFFIXES = (".nii", ".nii.gz")
CHUNK_ROWS = 16


class PackError(Exception):
    """A problem with the user's files: reported as one line, exit code 2."""


@dataclass
class Pair:
    """One image file and its mask file, under the name they share."""

    name: str
    image: Path
    mask: Path


def file_suffix(path: Path) -> str:
    """The supported suffix of ``path`` (lower case, ``.nii.gz`` as one), or '' if it has none."""
    lowered = path.name.lower()
    for suffix in VOLUME_SUFFIXES[::-1] + SLICE_SUFFIXES:
        if lowered.endswith(suffix):
            return suffix
    return ""


def _stems(folder: Path, strip: str = "") -> dict[str, Path]:
    """Stem -> file for every visible file in ``folder``; unsupported files and clashing stems are errors."""
    if not folder.is_dir():
        raise PackError(f"{folder} is not a folder")
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        suffix = file_suffix(path)
        if not suffix:
            raise PackError(f"unsupported file {path.name!r} in {folder}/ (PNG, TIFF or NIfTI expected)")
        stem = path.name[:-len(suffix)]
        if strip:
            if not stem.endswith(strip):
                raise PackError(f"mask {path.name!r} in {folder}/ does not end in the mask suffix {strip!r}")
            stem = stem[:-len(strip)]
        if stem in found:
            raise PackError(f"{found[stem].name!r} and {path.name!r} in {folder}/ have the same name; keep one")
        found[stem] = path
    if not found:
        raise PackError(f"no PNG, TIFF or NIfTI files in {folder}/")
    return found


def pair_files(images_dir: Path, masks_dir: Path, mask_suffix: str = "") -> list[Pair]:
    """Images and masks paired by name; a file without its partner is an error that names it."""
    images, masks = _stems(images_dir), _stems(masks_dir, mask_suffix)
    for stem, path in images.items():
        if stem not in masks:
            raise PackError(f"image {path.name!r} has no mask {stem + mask_suffix}.* in {masks_dir}/")
    for stem, path in masks.items():
        if stem not in images:
            raise PackError(f"mask {path.name!r} has no image {stem}.* in {images_dir}/")
    return [Pair(stem, images[stem], masks[stem]) for stem in sorted(images)]


def read_slices(path: Path) -> np.ndarray:
    """The file's pixels as (slices, H, W): one slice for PNG/TIFF, the last axis's for a NIfTI volume."""
    try:
        if file_suffix(path) in VOLUME_SUFFIXES:
            import nibabel

            volume = np.asanyarray(nibabel.load(str(path)).dataobj)
            if volume.ndim == 2:
                volume = volume[..., np.newaxis]
            if volume.ndim != 3:
                raise PackError(f"{path.name} is a {volume.ndim}-D NIfTI image; 2-D or 3-D expected")
            return np.moveaxis(volume, -1, 0)
        from PIL import Image

        with Image.open(path) as image:
            if image.mode in ("RGB", "RGBA", "P", "LA", "CMYK", "YCbCr"):
                image = image.convert("L")
            pixels = np.array(image)
    except PackError:
        raise
    except Exception as error:  # noqa: BLE001 - Pillow and nibabel raise many types for a bad file
        raise PackError(f"cannot read {path.name}: {error}") from None
    if pixels.ndim != 2:
        raise PackError(f"{path.name} has shape {pixels.shape}; a single-channel 2-D image expected")
    return pixels[np.newaxis]


def scale_intensity(pixels: np.ndarray, window: tuple[float, float] | None) -> np.ndarray:
    """float32 intensities: windowed to [0, 1], integers divided by their type's maximum, floats kept."""
    if window is not None:
        low, high = window
        return np.clip((pixels.astype(np.float64) - low) / (high - low), 0.0, 1.0).astype(np.float32)
    if pixels.dtype == bool:
        return pixels.astype(np.float32)
    if np.issubdtype(pixels.dtype, np.integer):
        return (pixels.astype(np.float64) / np.iinfo(pixels.dtype).max).astype(np.float32)
    return pixels.astype(np.float32)


def resize(slices: np.ndarray, size: tuple[int, int], nearest: bool) -> np.ndarray:
    """Each slice resized to ``size`` (H, W): bilinear for images, nearest neighbour for masks."""
    from PIL import Image

    height, width = size
    method = Image.Resampling.NEAREST if nearest else Image.Resampling.BILINEAR
    return np.stack([np.array(Image.fromarray(np.ascontiguousarray(one, dtype=np.float32), mode="F")
                              .resize((width, height), method)) for one in slices])


def load_pair(pair: Pair, size: tuple[int, int] | None, window: tuple[float, float] | None) -> tuple:
    """(images float32 (k, H, W), masks uint8 (k, H, W)) of one pair, shapes checked against each other."""
    images, masks = read_slices(pair.image), read_slices(pair.mask)
    if images.shape != masks.shape:
        raise PackError(f"image {pair.image.name} is {_shape(images)} but its mask {pair.mask.name} is {_shape(masks)}")
    images = scale_intensity(images, window)
    masks = (masks > 0).astype(np.float32)
    if size is not None and images.shape[1:] != size:
        images, masks = resize(images, size, nearest=False), resize(masks, size, nearest=True)
    return images, (masks > 0.5).astype(np.uint8)


def _shape(slices: np.ndarray) -> str:
    text = "x".join(str(n) for n in slices.shape[1:])
    return text if slices.shape[0] == 1 else f"{text} x {slices.shape[0]} slices"


def split_pairs(pairs: list[Pair], fractions: tuple[float, float, float], seed: int) -> dict[str, list[Pair]]:
    """Files shuffled with ``seed`` and cut by ``fractions``: validation and test get round(fraction x files)
    each, at least one when their fraction is not 0; train gets the rest."""
    if any(fraction < 0 for fraction in fractions) or not np.isclose(sum(fractions), 1.0):
        raise PackError(f"--split fractions must be >= 0 and add up to 1, not {' '.join(map(str, fractions))}")
    wanted = sum(1 for fraction in fractions if fraction > 0)
    if len(pairs) < wanted:
        raise PackError(f"{len(pairs)} image/mask pair(s) cannot fill {wanted} non-empty splits; add files or "
                        f"set a fraction to 0")
    order = np.random.default_rng(seed).permutation(len(pairs))
    held_out = [max(1, int(np.floor(fraction * len(pairs) + 0.5))) if fraction > 0 else 0 for fraction in fractions[1:]]
    if fractions[0] > 0 and sum(held_out) >= len(pairs):
        held_out[int(np.argmax(held_out))] -= 1
    counts = [len(pairs) - sum(held_out), *held_out]
    bounds = np.cumsum([0] + counts)
    return {split: [pairs[i] for i in order[bounds[k]:bounds[k + 1]]] for k, split in enumerate(SPLITS)}


def _untimed_h5(path: Path) -> h5py.File:
    creation = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    creation.set_obj_track_times(False)
    return h5py.File(h5py.h5f.create(str(path).encode(), h5py.h5f.ACC_TRUNC, fcpl=creation))


def _untimed_group(h5: h5py.File, name: str) -> h5py.Group:
    creation = h5py.h5p.create(h5py.h5p.GROUP_CREATE)
    creation.set_obj_track_times(False)
    h5py.h5g.create(h5.id, name.encode(), gcpl=creation)
    return h5[name]


def pack(images_dir: Path, masks_dir: Path, output: Path, size: tuple[int, int] | None = None,
         fractions: tuple[float, float, float] = (0.7, 0.15, 0.15), seed: int = 0, mask_suffix: str = "",
         window: tuple[float, float] | None = None) -> dict[str, int]:
    """Write the composite file; returns the number of slices per split."""
    pairs = pair_files(images_dir, masks_dir, mask_suffix)
    splits = split_pairs(pairs, fractions, seed)
    loaded = {pair.name: load_pair(pair, size, window) for pair in pairs}
    shapes = {name: images.shape[1:] for name, (images, _) in loaded.items()}
    if len(set(shapes.values())) > 1:
        first = next(iter(shapes.items()))
        other = next((name, shape) for name, shape in shapes.items() if shape != first[1])
        raise PackError(f"{first[0]} is {first[1][0]}x{first[1][1]} but {other[0]} is {other[1][0]}x{other[1][1]}; "
                        f"pass --size H W to resize all to one size")
    height, width = next(iter(shapes.values()))
    counts = {}
    output.parent.mkdir(parents=True, exist_ok=True)
    with _untimed_h5(output) as h5:
        h5.attrs.update({"images_dir": str(images_dir), "masks_dir": str(masks_dir), "seed": seed,
                         "split_fractions": np.array(fractions), "created_by": "scripts/pack_images_to_h5.py"})
        for split, members in splits.items():
            group = _untimed_group(h5, split)
            images = [loaded[pair.name][0] for pair in members]
            masks = [loaded[pair.name][1] for pair in members]
            names = [f"{pair.image.name}[{k}]" if file_suffix(pair.image) in VOLUME_SUFFIXES else pair.image.name
                     for pair, block in zip(members, images) for k in range(block.shape[0])]
            stacked = {"images": np.concatenate(images) if images else np.zeros((0, height, width), np.float32),
                       "masks": np.concatenate(masks) if masks else np.zeros((0, height, width), np.uint8)}
            for name, array in stacked.items():
                rows = array.shape[0]
                group.create_dataset(name, data=array[..., np.newaxis], track_times=False,
                                     chunks=(max(1, min(CHUNK_ROWS, rows)), height, width, 1) if rows else None,
                                     **({"compression": "gzip", "compression_opts": 4, "shuffle": True} if rows else {}))
            group.create_dataset("names", data=np.array(names, dtype=h5py.string_dtype()), track_times=False)
            counts[split] = len(names)
    return counts


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("images", type=Path, help="folder of images (PNG, TIFF, NIfTI)")
    parser.add_argument("masks", type=Path, help="folder of masks with the same file names")
    parser.add_argument("-o", "--output", type=Path, required=True, help="the composite HDF5 file to write")
    parser.add_argument("--size", type=int, nargs=2, metavar=("H", "W"), help="resize every slice (default: all must match)")
    parser.add_argument("--split", type=float, nargs=3, default=(0.7, 0.15, 0.15), metavar=("TRAIN", "VAL", "TEST"),
                        help="fractions of the FILES per split (default 0.7 0.15 0.15)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the shuffle before the split (default 0)")
    parser.add_argument("--mask-suffix", default="", help="mask file names end in this before the extension, e.g. _mask")
    parser.add_argument("--window", type=float, nargs=2, metavar=("LOW", "HIGH"),
                        help="clip intensities to [LOW, HIGH] and scale to [0, 1] (CT: -1000 400)")
    args = parser.parse_args(argv)
    if args.size is not None and min(args.size) < 1:
        parser.error("--size needs two positive numbers")
    if args.window is not None and args.window[1] <= args.window[0]:
        parser.error("--window LOW HIGH needs LOW < HIGH")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        counts = pack(args.images, args.masks, args.output, tuple(args.size) if args.size else None,
                      tuple(args.split), args.seed, args.mask_suffix, tuple(args.window) if args.window else None)
    except PackError as error:
        print(f"pack_images_to_h5: error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {args.output}: " + ", ".join(f"{split} {n} slices" for split, n in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
