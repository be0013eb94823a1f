export { QemuDriver, type QemuDriverOptions } from './driver.js';
export { ImageCache, type ImageSource } from './images.js';
export { chooseAccel } from './accel.js';
export { qemuDrivers } from './factory.js';
export { isGuestProcess, killGroup, readPid } from './process.js';
