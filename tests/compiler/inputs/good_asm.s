	.section	xdp,"ax",@progbits
	.globl	pass_all
pass_all:
	r0 = 2
	exit
	.section	license,"aw",@progbits
	.globl	_license
_license:
	.asciz	"GPL"
