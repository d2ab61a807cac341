# broke: a huge format width overflows int in py/objstr.c (width parsing), UBSan signed-integer-overflow
x = '{:>-5}'.format('ab')
y = '%-*s' % (-(2**62), 'x')
z = '{:>4611686018427387904}'.format('ab')
