import re
while True:
    try:
        re.search('(a|aa)*c', 'a' * 50)
    except RuntimeError:
        pass
