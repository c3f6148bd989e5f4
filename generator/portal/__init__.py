"""The county portal (``nianbao portal``): agencies upload and submit, the county office reviews.

A Django app with its project settings built in code from a data folder (:mod:`.config`).
Importing this package loads nothing of Django: the generation workers (:mod:`.generate`)
import it in plain processes.
"""
