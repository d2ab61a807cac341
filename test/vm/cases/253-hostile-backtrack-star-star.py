import re
while True:
    try:
        re.match('(a*)*b', 'a' * 30)
    except RuntimeError:
        pass
