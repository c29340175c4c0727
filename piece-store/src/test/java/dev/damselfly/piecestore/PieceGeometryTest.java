package dev.damselfly.piecestore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PieceGeometryTest {
    @Test
    void lastPieceIsShorter() {
        assertEquals(3, PieceGeometry.pieceCount(10, 4));
        assertEquals(8, PieceGeometry.offset(2, 4));
        assertEquals(4, PieceGeometry.length(1, 10, 4));
        assertEquals(2, PieceGeometry.length(2, 10, 4));
        assertEquals(2, PieceGeometry.pieceAt(9, 4));
    }

    @Test
    void exactMultipleAndEmpty() {
        assertEquals(2, PieceGeometry.pieceCount(8, 4));
        assertEquals(4, PieceGeometry.length(1, 8, 4));
        assertEquals(0, PieceGeometry.pieceCount(0, 4));
        assertEquals(1024, PieceGeometry.pieceCount(4L << 30, 4 << 20));
    }
}
