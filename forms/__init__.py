"""User-task forms: one marshmallow schema per form, registered by name with ``engine.registry.form``.

A diagram names a form in the user task's extension property ``form``; the UI renders it from the JSON
Schema that ``forms.export`` produces, and the engine validates every submission with the schema.
"""
from . import infrastruktur, layanan, pemeliharaan, penanganan, penonaktifan, registrasi, umum  # noqa: F401
