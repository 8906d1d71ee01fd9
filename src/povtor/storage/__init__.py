"""Storage: where the database is, how it is opened and migrated, and the one SQL gateway.

Every read and every write runs through :mod:`povtor.storage.database` (the DB driver and
plain portable SQL, fast to start): queries in the ``*_queries`` modules, writes in the
``*_writes`` modules and the importer. The SQLModel tables of :mod:`povtor.storage.models`
are the schema of record; only the migrations (Alembic) import SQLAlchemy.
"""
