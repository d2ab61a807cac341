print("h\u00e9llo w\u00f6rld \u2713")
print(len("\u00e9\u2713"), len("\u00e9\u2713".encode()))
