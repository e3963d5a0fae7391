"""The pure domain core: rules only, plain values in and out, no Django, no I/O, no clock."""
