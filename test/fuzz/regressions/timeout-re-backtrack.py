# broke: regex backtracking (a|a)*b is exponential in lib/re1.5/recursiveloop.c:recursiveloop with no loop hook (time limit escaped)
try:
    import re
    re.match('(a|a)*b', 'a' * 30)
except Exception as e:
    print(type(e), e)

