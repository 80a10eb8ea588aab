"""scripts/pack_images_to_h5.py on tiny PNG, TIFF and NIfTI files made in temporary folders."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "pack_images_to_h5.py"
sys.path.insert(0, str(SCRIPT.parent))

import pack_images_to_h5 as packer  # noqa: E402 - imported from scripts/ (not a package)


def square_mask(size: int, corner: int, side: int) -> np.ndarray:
    mask = np.zeros((size, size), dtype=np.uint8)
    mask[corner:corner + side, corner:corner + side] = 255
    return mask


def make_png_folders(root: Path, n: int, size: int = 8, mask_suffix: str = "") -> tuple[Path, Path]:
    """``n`` 8-bit PNG images (pixel value = 10 * index) with square masks (0/255)."""
    images, masks = root / "images", root / "masks"
    images.mkdir()
    masks.mkdir()
    for index in range(n):
        Image.fromarray(np.full((size, size), 10 * index, dtype=np.uint8)).save(images / f"scan{index}.png")
        Image.fromarray(square_mask(size, 1, 2 + index % 3)).save(masks / f"scan{index}{mask_suffix}.png")
    return images, masks


def run_cli(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True, timeout=600)


def test_pngs_become_the_composite_layout_of_the_ct_use_case(tmp_path):
    images, masks = make_png_folders(tmp_path, 10)
    result = run_cli(images, masks, "-o", tmp_path / "out.h5")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"wrote {tmp_path / 'out.h5'}: train 6 slices, validation 2 slices, test 2 slices"
    with h5py.File(tmp_path / "out.h5", "r") as h5:
        assert sorted(h5) == ["test", "train", "validation"]
        for split, n in (("train", 6), ("validation", 2), ("test", 2)):
            assert h5[split]["images"].shape == (n, 8, 8, 1) and h5[split]["images"].dtype == np.float32
            assert h5[split]["masks"].shape == (n, 8, 8, 1) and h5[split]["masks"].dtype == np.uint8
        names = [name.decode() for split in ("train", "validation", "test") for name in h5[split]["names"][:]]
        assert sorted(names) == sorted(f"scan{index}.png" for index in range(10))
        for split in ("train", "validation", "test"):
            for name, image, mask in zip(h5[split]["names"][:], h5[split]["images"][:], h5[split]["masks"][:]):
                index = int(name.decode()[4:-4])
                np.testing.assert_allclose(image, 10 * index / 255, rtol=1e-6)  # 8-bit scaled to [0, 1]
                np.testing.assert_array_equal(mask[..., 0], square_mask(8, 1, 2 + index % 3) // 255)


def test_the_split_is_seeded_and_reproducible_byte_for_byte(tmp_path):
    images, masks = make_png_folders(tmp_path, 12)
    outputs = {}
    for label, seed in (("a", 3), ("b", 3), ("c", 4)):
        assert packer.main([str(images), str(masks), "-o", str(tmp_path / f"{label}.h5"), "--seed", str(seed)]) == 0
        outputs[label] = (tmp_path / f"{label}.h5").read_bytes()
    assert outputs["a"] == outputs["b"]
    with h5py.File(tmp_path / "a.h5", "r") as first, h5py.File(tmp_path / "c.h5", "r") as other:
        assert list(first["test"]["names"][:]) != list(other["test"]["names"][:])


def test_16_bit_png_float_tiff_and_mask_suffix(tmp_path):
    images, masks = tmp_path / "img", tmp_path / "lbl"
    images.mkdir()
    masks.mkdir()
    Image.fromarray(np.full((6, 6), 65535, dtype=np.uint16)).save(images / "a.png")
    Image.fromarray(np.full((6, 6), 0.25, dtype=np.float32)).save(images / "b.tif")
    Image.fromarray(square_mask(6, 0, 3)).save(masks / "a_mask.tif")
    Image.fromarray(square_mask(6, 2, 2)).save(masks / "b_mask.png")
    counts = packer.pack(images, masks, tmp_path / "out.h5", fractions=(1.0, 0.0, 0.0), mask_suffix="_mask")
    assert counts == {"train": 2, "validation": 0, "test": 0}
    with h5py.File(tmp_path / "out.h5", "r") as h5:
        by_name = dict(zip((name.decode() for name in h5["train/names"][:]), h5["train/images"][:]))
        np.testing.assert_allclose(by_name["a.png"], 1.0)
        np.testing.assert_allclose(by_name["b.tif"], 0.25)
        assert h5["validation/images"].shape == (0, 6, 6, 1)


def test_nifti_volumes_give_one_slice_each_and_stay_in_one_split(tmp_path):
    nibabel = pytest.importorskip("nibabel")
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    masks.mkdir()
    for case in range(4):
        volume = np.full((16, 16, 5), -1000 + 300 * case, dtype=np.int16)  # Hounsfield units
        labels = np.zeros((16, 16, 5), dtype=np.uint8)
        labels[4:8, 4:8, 2] = 1
        nibabel.save(nibabel.Nifti1Image(volume, np.eye(4)), str(images / f"case{case}.nii.gz"))
        nibabel.save(nibabel.Nifti1Image(labels, np.eye(4)), str(masks / f"case{case}.nii.gz"))
    counts = packer.pack(images, masks, tmp_path / "ct.h5", size=(8, 8), fractions=(0.5, 0.25, 0.25), seed=1,
                         window=(-1000.0, 400.0))
    assert counts == {"train": 10, "validation": 5, "test": 5}
    with h5py.File(tmp_path / "ct.h5", "r") as h5:
        cases = {split: {name.decode().split("[")[0] for name in h5[split]["names"][:]} for split in h5}
        assert sum(len(found) for found in cases.values()) == 4 and set.union(*cases.values()) == {
            f"case{case}.nii.gz" for case in range(4)}
        assert all(not (cases[a] & cases[b]) for a in cases for b in cases if a != b)
        for split in h5:
            for name, image, mask in zip(h5[split]["names"][:], h5[split]["images"][:], h5[split]["masks"][:]):
                case, index = name.decode().split("[")
                np.testing.assert_allclose(image, 300 * int(case[4]) / 1400, atol=1e-6)  # windowed to [0, 1]
                assert image.shape == (8, 8, 1)
                assert mask.sum() == (4 if index == "2]" else 0)  # 4x4 square resized to 2x2, nearest


@pytest.mark.parametrize("broken, message", [
    ("extra_image", "image 'scan9.png' has no mask scan9.* in"),
    ("extra_mask", "mask 'orphan.png' has no image orphan.* in"),
    ("mask_shape", "image scan1.png is 8x8 but its mask scan1.png is 4x4"),
    ("image_sizes", "scan0 is 8x8 but scan1 is 5x5; pass --size H W to resize all to one size"),
    ("unsupported", "unsupported file 'notes.txt' in"),
    ("unreadable", "cannot read scan2.png:"),
])
def test_bad_folders_end_in_one_line_and_exit_2(tmp_path, broken, message):
    images, masks = make_png_folders(tmp_path, 4)
    if broken == "extra_image":
        Image.fromarray(np.zeros((8, 8), np.uint8)).save(images / "scan9.png")
    elif broken == "extra_mask":
        Image.fromarray(np.zeros((8, 8), np.uint8)).save(masks / "orphan.png")
    elif broken == "mask_shape":
        Image.fromarray(np.zeros((4, 4), np.uint8)).save(masks / "scan1.png")
    elif broken == "image_sizes":
        Image.fromarray(np.zeros((5, 5), np.uint8)).save(images / "scan1.png")
        Image.fromarray(np.zeros((5, 5), np.uint8)).save(masks / "scan1.png")
    elif broken == "unsupported":
        (images / "notes.txt").write_text("not an image")
    elif broken == "unreadable":
        (images / "scan2.png").write_bytes(b"not a png")
    result = run_cli(images, masks, "-o", tmp_path / "out.h5")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pack_images_to_h5: error: ") and message in lines[0], result.stderr
    assert not (tmp_path / "out.h5").exists()


def test_resizing_and_too_few_files_for_the_splits(tmp_path):
    images, masks = make_png_folders(tmp_path, 2, size=10)
    with pytest.raises(packer.PackError, match="2 image/mask pair.s. cannot fill 3 non-empty splits"):
        packer.pack(images, masks, tmp_path / "x.h5")
    with pytest.raises(packer.PackError, match="add up to 1"):
        packer.pack(images, masks, tmp_path / "x.h5", fractions=(0.5, 0.1, 0.1))
    assert packer.pack(images, masks, tmp_path / "x.h5", size=(4, 6), fractions=(0.5, 0.5, 0.0)) == {
        "train": 1, "validation": 1, "test": 0}
    with h5py.File(tmp_path / "x.h5", "r") as h5:
        assert h5["train/images"].shape == (1, 4, 6, 1)
        assert set(np.unique(h5["train/masks"][:])) <= {0, 1}


def test_the_synthetic_ct_file_and_the_packed_file_share_one_layout(tmp_path):
    sys.path.insert(0, str(REPO / "interactive" / "notebooks" / "ct_segmentation"))
    import ct_synthetic

    ct_synthetic.write_composite_h5(tmp_path / "synthetic.h5", splits={"train": 3, "validation": 2, "test": 2})
    images, masks = make_png_folders(tmp_path, 7, size=64)
    packer.pack(images, masks, tmp_path / "packed.h5")
    with h5py.File(tmp_path / "synthetic.h5", "r") as synthetic, h5py.File(tmp_path / "packed.h5", "r") as packed:
        for split in ("train", "validation", "test"):
            for name in ("images", "masks"):
                assert synthetic[split][name].dtype == packed[split][name].dtype
                assert synthetic[split][name].shape[1:] == packed[split][name].shape[1:] == (64, 64, 1)
