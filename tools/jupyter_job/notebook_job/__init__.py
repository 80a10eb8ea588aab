"""Runner of run_jupyter_job: turns a notebook (or script) plus HDF5 inputs into ONNX models and HDF5 results.

The modules are grouped by the stage of the data flow they serve:

- ``prepare/``: notebook -> cells, IPython lines, parameters, staged and checked HDF5 inputs (parent);
- ``run/``: the supervised child interpreter that runs the cells (time limit, seeds, captured outputs);
- ``export/``: models found by type, exported to ONNX by their framework's route, checked for parity;
- ``deliver/``: results HDF5, native archive, output files, executed notebook, report.

``cli`` drives the parent (prepare, start the child, deliver), ``child`` drives the child (run,
export, write results). ``checkpoint`` and ``h5_batches`` are the helpers notebooks import
themselves, so they keep their top-level names. Nothing here imports TensorFlow, PyTorch or
scikit-learn unless the user's code already did.
"""

__version__ = "0.1.0"
