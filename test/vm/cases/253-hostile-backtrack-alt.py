import re
while True:
    try:
        re.match('(a|a)*b', 'a' * 30)
    except RuntimeError:
        pass
