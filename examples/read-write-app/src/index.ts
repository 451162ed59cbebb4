// A small node-postgres app that splits reads and writes (the example of docs/app-testing.md).
export { ReadWriteRouter } from './read-write-router.js';
export { createSchema, placeOrder, listOrders, orderJustPlaced } from './orders.js';
