/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The register model of the emulated PL011 (vpl011), without the trap
 * decoding (hv/arch/arm64/vpl011.c) or the interrupt delivery (the
 * vGIC): what a guest's UART driver reads and writes.
 *
 * Transmit is immediate: every DR write is one byte out, so the transmit
 * FIFO is always empty (FR.TXFE, TXRIS set). Receive has a 32-byte FIFO
 * filled by vuart_receive(). The receive and receive-timeout interrupts
 * are levels: raised while the FIFO holds data, gone when it is drained
 * (ICR cannot clear data that is still there). The interrupt line is
 * MIS != 0; the caller passes it to the vGIC after every call that may
 * change it (vuart_irq_level()).
 */
#ifndef BULKHEAD_CORE_VUART_H
#define BULKHEAD_CORE_VUART_H

#include "types.h"

#define VUART_RX_FIFO 32u

/* Registers (offsets in the 4 KiB page) and bits the guest relies on. */
#define VUART_DR      0x000
#define VUART_RSR     0x004
#define VUART_FR      0x018
#define VUART_IBRD    0x024
#define VUART_FBRD    0x028
#define VUART_LCR_H   0x02c
#define VUART_CR      0x030
#define VUART_IFLS    0x034
#define VUART_IMSC    0x038
#define VUART_RIS     0x03c
#define VUART_MIS     0x040
#define VUART_ICR     0x044
#define VUART_DMACR   0x048
#define VUART_FR_RXFE (1u << 4)
#define VUART_FR_TXFF (1u << 5)
#define VUART_FR_RXFF (1u << 6)
#define VUART_FR_TXFE (1u << 7)
#define VUART_INT_RX  (1u << 4)
#define VUART_INT_TX  (1u << 5)
#define VUART_INT_RT  (1u << 6)
#define VUART_INT_ALL 0x7ffu

/** State of one emulated PL011. Zero-initialised is a UART after reset. */
struct vuart {
	uint8_t rx[VUART_RX_FIFO];
	unsigned int rx_head, rx_count;
	uint32_t imsc, cr, lcr_h, ibrd, fbrd, ifls, dmacr;
	uint32_t other_ris;  /* modem and error interrupts: never raised, kept for ICR */
	uint64_t rx_dropped; /* bytes lost because the FIFO was full */
	bool line;           /* the level last given to the interrupt controller */
};

/** vuart_reset() - the state after a reset (also what zero-fill gives). */
void vuart_reset(struct vuart *u);

/**
 * vuart_read() - a 32-bit read of register @off (page offset).
 * DR pops one received byte (0 when empty); the identification registers
 * read as an ARM PL011 r1p5 (what Linux's AMBA bus matches); unknown
 * offsets read as 0.
 */
uint32_t vuart_read(struct vuart *u, uint64_t off);

/**
 * vuart_write() - a write of @val to register @off.
 * Return: true when the write was a byte to transmit, stored in *@tx.
 */
bool vuart_write(struct vuart *u, uint64_t off, uint32_t val, char *tx);

/**
 * vuart_receive() - a byte arriving from the console.
 * Return: false when the FIFO is full and the byte was dropped.
 */
bool vuart_receive(struct vuart *u, char c);

/** vuart_irq_level() - the interrupt line: true while MIS != 0. */
bool vuart_irq_level(const struct vuart *u);

#endif
