pub mod compare;
pub mod corpus;
