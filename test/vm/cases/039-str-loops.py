# The traceback prints the argument with str(), which never returns: the
# time limit still ends the script, and the client learns why.
class Loop:
    def __str__(self):
        while True:
            pass

raise ValueError(Loop())
