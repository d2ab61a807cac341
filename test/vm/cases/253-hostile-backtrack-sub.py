import re
while True:
    try:
        re.sub('(x+x+)+y', '', 'x' * 40)
    except RuntimeError:
        pass
