# broke: int.from_bytes shifts a byte promoted to int by 24 (py/mpz.c:mpz_set_from_bytes), UBSan shift; benign under gcc, trivially fixed with a cast
print(int.from_bytes(b'\xff' * 8, 'big') % 13)
