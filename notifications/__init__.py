"""Notifications: e-mail and in-app messages to the people a case concerns.

A diagram's service task ``notifikasi.kirim`` names a template and its recipients; a journal listener tells
staff when a task lands in their inbox. E-mail goes through the same transactional outbox as webhooks
(``webhooks.outbox``), so it is sent by the worker, retried, logged, and never blocks the case.
"""
