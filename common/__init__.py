"""The shared vocabulary: errors, money, identity numbers, the office's words.

Everything may import ``common``; ``common`` imports only the standard library.
"""
