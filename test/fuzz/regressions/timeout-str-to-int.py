# broke: int() of a long digit string runs quadratic in py/mpz.c:mpz_set_from_str with no loop hook (time limit escaped)
print(int('1' * 200000) % 7)
