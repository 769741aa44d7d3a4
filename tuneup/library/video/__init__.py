"""Video: containers, names, NFO sidecars, series and movies."""
