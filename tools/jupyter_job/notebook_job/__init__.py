"""Runner of run_jupyter_job: turns a notebook (or script) plus HDF5 inputs into ONNX models and HDF5 results.

The parent process (cli) stages inputs and extracts code; a child interpreter (child) runs that code
as ``__main__`` and exports what it trained. Nothing here imports TensorFlow, PyTorch or
scikit-learn unless the user's code already did.
"""

__version__ = "0.1.0"
