	.text
	r0 = 1
	r0 += bogus
	exit
