"""The qualifications CSV: good lines kept, bad ones reported by number, unreadable files refused."""


