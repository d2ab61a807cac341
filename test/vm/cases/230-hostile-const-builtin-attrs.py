import struct
for name, obj in (('int', int), ('struct', struct), ('print', print), ('None', None), ('Exception', Exception)):
    try:
        setattr(obj, 'x', 1)
    except (AttributeError, TypeError) as e:
        print(name, type(e).__name__)
    else:
        print(name, 'set')
