// Tests for deployment targets live here.
