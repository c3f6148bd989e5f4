"""The clerk's web page (``nianbao serve``): one page for the whole job, on this machine.

Django (configured in code, :mod:`.settings`) renders the page and handles uploads, CSRF and
sessions; waitress serves it (:mod:`.server`); the work itself is :mod:`generator.app`,
called from worker processes (:mod:`.work`, :mod:`.jobs`, :mod:`.tasks`).
"""
