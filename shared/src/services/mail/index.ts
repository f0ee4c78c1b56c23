export * from './names';
export * from './password';
export * from './mailbox';
export * from './mailaddress';
export * from './autoresponse';
