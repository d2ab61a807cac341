# broke: a negative int shifted right by 31 mod 32 bits tested the bits shifted out with 1 << 31 (py/mpz.c:mpz_shr_inpl), UBSan shift
x = -(1 << 64)
print(x >> 63, x >> 31, (x - 1) >> 95, x & 7, x | -8, ~x % 9)
