"""Storage: where the database is, how it is opened and migrated, its tables and queries.

Read paths use :mod:`povtor.storage.database` (the DB driver and plain portable SQL,
fast to start); writes use the SQLModel tables of :mod:`povtor.storage.models`
through :mod:`povtor.storage.orm`, on the same connection.
"""
