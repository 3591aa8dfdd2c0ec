"""Modest Indonesian and English stop-word lists for word counts of free-text feedback."""

# Kept short on purpose: a word count of feedback should lose function words,
# not opinion words, so negations ("tidak", "belum", "gak", "not", "no") are
# deliberately absent: "tidak puas" must not read as "puas".
INDONESIAN = frozenset(
    """
ada adalah agar akan aku anda apa apakah atau bagi bahwa banyak baru begitu
berapa beberapa bisa boleh dalam dan dapat dari demikian dengan di dia dua ini
itu ia jadi jika juga kalau kami kamu kan karena kita ke kembali ketika lagi
lain lalu lebih maka mana masih mau mereka meski mungkin nya oleh pada para
pun saat saja sama sangat satu saya seperti sebagai sebuah secara sedang
sehingga sekali sekitar selain semua sendiri seorang serta sering setelah
sini situ suatu sudah supaya tahu tapi tentang tersebut tetapi untuk walau
yaitu yakni yang sih dong deh lah kah pak bu bapak ibu nih tuh ya yg dgn utk
tsb dr krn jd sdh aja
""".split()
)

ENGLISH = frozenset(
    """
a about above after again all also am an and any are as at be because been
before being below between both but by can could did do does doing down during
each few for from further had has have having he her here hers herself him
himself his how i if in into is it its itself just me more most my myself
of off on once only or other our ours ourselves out over own same she
should so some such than that the their theirs them themselves then there
these they this those through to too under until up very was we were what
when where which while who whom why will with would you your yours yourself
yourselves let us get got really much many s t im ive
""".split()
)

STOPWORDS = {"id": INDONESIAN, "en": ENGLISH}
