"""Running calls at the same moment, for the tests of what the database keeps under concurrent requests."""

import threading

from django.db import connection


def at_once(*calls, timeout: float = 60):
    """Run each call in its own thread (its own database connection), all released together by a barrier.

    Returns what each call returned or raised, in the order given. The tests
    that use it are transactional (``django_db(transaction=True)``): each
    thread sees committed data only.
    """
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=timeout / 3)
            results[index] = call()
        except Exception as error:  # noqa: BLE001 (the test inspects whatever a thread raised)
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads)
    return results
