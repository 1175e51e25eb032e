// Tests for the model server live here.
