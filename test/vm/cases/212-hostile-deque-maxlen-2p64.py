from collections import deque
deque((), 2 ** 64)
