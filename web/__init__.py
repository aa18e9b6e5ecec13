"""The web interface's static files (HTML, CSS, ES modules), served by :mod:`api.routes.ui`."""
