# Output without newlines (the mirror cuts it into lines) is rate-limited too.
. "$KPY_LIB"
flood_case "print loop without newline" 124 1000 'while True:
    print("x" * 60, end="")'
finish
