"""Stage 1, in the parent: read the notebook or script into cells, rewrite IPython lines, inject
parameters, check and link the HDF5 inputs. Nothing is written before every input has been checked."""
