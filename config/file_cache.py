"""A file cache whose entries live until their timeout: the embedded default's cross-process
store without Redis (config/settings.py, the `sourcing_options` alias).

Django's FileBasedCache culls on every `set`: it lists the whole directory, and past
MAX_ENTRIES deletes a random third of the entries, live ones included. Here nothing is culled
on `set` (a write is one small file, whatever the directory holds) and the expiry sweep calls
`delete_expired`, so an entry stays readable for the lifetime it was given. Values are not
compressed either: zlib was a tenth of a sourcing request's CPU, to save a few kB of disk.
"""

import pickle

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache

_MISSING = object()


class LifetimeFileCache(FileBasedCache):
    def get(self, key, default=None, version=None):
        try:
            with open(self._key_to_file(key, version), "rb") as file:
                if not self._is_expired(file):
                    return pickle.load(file)
        except FileNotFoundError:
            pass
        return default

    def _write_content(self, file, timeout, value):
        file.write(pickle.dumps(self.get_backend_timeout(timeout), self.pickle_protocol))
        file.write(pickle.dumps(value, self.pickle_protocol))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        value = self.get(key, _MISSING, version)
        if value is _MISSING:
            return False
        self.set(key, value, timeout, version)
        return True

    def _cull(self):
        """Nothing: entries leave when they expire (`delete_expired`), never earlier."""

    def delete_expired(self, now):
        """Delete the entries whose expiry (a Unix time, as FileBasedCache writes it first in
        each file) is before `now`; how many were deleted."""
        deleted = 0
        for path in self._list_cache_files():
            try:
                with open(path, "rb") as file:
                    expiry = pickle.load(file)
            except (OSError, EOFError, pickle.UnpicklingError):
                continue  # removed meanwhile, or not ours to judge
            if expiry is not None and expiry < now and self._delete(path):
                deleted += 1
        return deleted
