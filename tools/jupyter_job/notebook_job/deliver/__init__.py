"""Stage 4: write what the job returns: HDF5 results, the native-model archive, the files under
outputs/, the executed notebook and the report."""
