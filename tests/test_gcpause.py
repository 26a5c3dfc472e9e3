"""gc_paused: automatic collection is off inside, and comes back as it was when the last block ends."""
import gc
import threading

from tracker.gcpause import gc_paused


def test_collection_is_off_inside_and_back_after():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer block is still running
    assert gc.isenabled()


def test_comes_back_after_an_error():
    try:
        with gc_paused():
            raise KeyError("x")
    except KeyError:
        pass
    assert gc.isenabled()


def test_left_off_when_it_was_off():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_as_decorator_and_across_threads():
    inside, release = threading.Event(), threading.Event()

    @gc_paused()
    def slow():
        inside.set()
        release.wait(5)

    worker = threading.Thread(target=slow)
    worker.start()
    inside.wait(5)
    with gc_paused():
        pass
    assert not gc.isenabled()  # the other thread's block is still running
    release.set()
    worker.join(5)
    assert gc.isenabled()
